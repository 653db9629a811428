/** Turns a media message's content (with a url, or inline base64) into base64 for webhooks that ask for it. */
export interface MediaFetcher {
  base64Of(content: unknown): Promise<string | undefined>;
}
