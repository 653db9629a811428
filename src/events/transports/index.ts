import type { Logger } from 'pino';
import type { Router } from '../outbox/store.js';
import type { OutboxTransport } from '../outbox/transport.js';
import type { EventTransportsConfig } from './config.js';
import { MqttTransport, mqttRouter } from './mqtt.js';
import { NatsTransport, natsRouter } from './nats.js';
import { RabbitTransport, rabbitRouter } from './rabbitmq.js';
import type { BusContext } from './routing.js';

/** The durable event buses enabled by the environment (`<T>_ENABLED=true`): each one's outbox transport and router. */
export function eventBuses(config: EventTransportsConfig, ctx: BusContext, logger: Logger): { transports: OutboxTransport[]; routers: Router[] } {
  const transports: OutboxTransport[] = [];
  const routers: Router[] = [];
  const log = logger.child({ component: 'event-bus' });
  if (config.rabbitmq.enabled) {
    transports.push(new RabbitTransport(config.rabbitmq, config.delivery, log));
    routers.push(rabbitRouter(config.rabbitmq, ctx));
  }
  if (config.nats.enabled) {
    transports.push(new NatsTransport(config.nats, config.delivery, log));
    routers.push(natsRouter(config.nats, ctx));
  }
  if (config.mqtt.enabled) {
    transports.push(new MqttTransport(config.mqtt, config.delivery, log));
    routers.push(mqttRouter(config.mqtt, ctx));
  }
  return { transports, routers };
}
