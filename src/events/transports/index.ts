import type { Logger } from 'pino';
import type { SecretBox } from '../../security/secrets.js';
import type { Router } from '../outbox/store.js';
import type { OutboxTransport } from '../outbox/transport.js';
import type { EventTransportsConfig } from './config.js';
import type { BusContext } from './routing.js';

/**
 * The durable event buses enabled by the environment (`<T>_ENABLED=true`): each one's outbox transport and router.
 * A bus's client library is loaded only when it is enabled (start-up does not pay for the others).
 */
export async function eventBuses(config: EventTransportsConfig, ctx: BusContext, box: SecretBox, logger: Logger): Promise<{ transports: OutboxTransport[]; routers: Router[] }> {
  const transports: OutboxTransport[] = [];
  const routers: Router[] = [];
  const log = logger.child({ component: 'event-bus' });
  if (config.rabbitmq.enabled) {
    const { RabbitTransport, rabbitRouter } = await import('./rabbitmq.js');
    transports.push(new RabbitTransport(config.rabbitmq, config.delivery, log));
    routers.push(rabbitRouter(config.rabbitmq, ctx));
  }
  if (config.nats.enabled) {
    const { NatsTransport, natsRouter } = await import('./nats.js');
    transports.push(new NatsTransport(config.nats, config.delivery, log));
    routers.push(natsRouter(config.nats, ctx));
  }
  if (config.mqtt.enabled) {
    const { MqttTransport, mqttRouter } = await import('./mqtt.js');
    transports.push(new MqttTransport(config.mqtt, config.delivery, log));
    routers.push(mqttRouter(config.mqtt, ctx));
  }
  if (config.kafka.enabled) {
    const { KafkaTransport, kafkaRouter } = await import('./kafka.js');
    transports.push(new KafkaTransport(config.kafka, config.delivery, log));
    routers.push(kafkaRouter(config.kafka, ctx));
  }
  if (config.sqs.enabled) {
    const { SqsTransport, sqsRouter } = await import('./sqs.js');
    transports.push(new SqsTransport(config.sqs, config.delivery, log));
    routers.push(sqsRouter(config.sqs, ctx));
  }
  if (config.pusher.enabled) {
    const { PusherTransport, pusherRouter } = await import('./pusher.js');
    transports.push(new PusherTransport(config.pusher.host, config.delivery, box, log));
    routers.push(pusherRouter(config.pusher, ctx));
  }
  return { transports, routers };
}
