/** Voice and video calls. */
export interface CallOps {
  /** Rings `jid` for `durationSeconds` (then hangs up); resolves with the call's id. */
  offer(jid: string, isVideo: boolean, durationSeconds: number): Promise<{ id: string }>;
}
