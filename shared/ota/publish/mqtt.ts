import mqtt, { type MqttClient } from 'mqtt';
import { TinyOpsError } from '../../errors';
import ROLLOUT_SCHEMA from '../../../schemas/ota-rollout.schema.json';
import { validateWithSchema } from '../../config/validate';
import { parseManifest, serializeManifest, type OtaManifest } from '../manifest';
import { parseHealthReport, type HealthReport, type RolloutState } from '../rollout';

export interface MqttTarget {
  /** mqtt://host:port or mqtts://… */
  url: string;
  username?: string;
  password?: string;
  /** Topic prefix; default `tinyops/ota`. */
  prefix?: string;
  connectTimeoutMs?: number;
}

/** Topic layout: one retained announcement per board, and per release a rollout state (retained)
 * and a health topic. Devices report to `health/<deviceId>`, retained, so a promote run that
 * connects later still sees every device's latest report (plain `health` messages count too). */
export const topics = (prefix = 'tinyops/ota') => ({
  announcement: (board: string) => `${prefix}/${board}/release`,
  rollout: (releaseId: string) => `${prefix}/releases/${releaseId}/rollout`,
  health: (releaseId: string) => `${prefix}/releases/${releaseId}/health`,
  deviceHealth: (releaseId: string, deviceId: string) =>
    `${prefix}/releases/${releaseId}/health/${deviceId}`,
});

export async function connect(target: MqttTarget): Promise<MqttClient> {
  const client = mqtt.connect(target.url, {
    username: target.username,
    password: target.password,
    connectTimeout: target.connectTimeoutMs ?? 10000,
    reconnectPeriod: 0,
    clean: true,
  });
  await new Promise<void>((resolve, reject) => {
    client.once('connect', () => resolve());
    client.once('error', reject);
    client.once('close', () => reject(new Error('connection closed')));
  }).catch((err: Error) => {
    client.end(true);
    throw new TinyOpsError(
      'OTA_MQTT',
      `Could not connect to the MQTT broker ${target.url}: ${err.message}`,
      {
        hint: 'Check the broker URL, port and credentials (--mqtt-url, MQTT_USERNAME/MQTT_PASSWORD).',
      },
    );
  });
  return client;
}

async function publishRetained(client: MqttClient, topic: string, text: string): Promise<void> {
  await client.publishAsync(topic, text, { qos: 1, retain: true });
}

/** Reads the retained message on a topic, or null when there is none within waitMs. */
async function readRetained(
  client: MqttClient,
  topic: string,
  waitMs: number,
): Promise<string | null> {
  return new Promise<string | null>((resolve, reject) => {
    const timer = setTimeout(done, waitMs, null);
    function done(value: string | null) {
      clearTimeout(timer);
      client.removeListener('message', onMessage);
      client.unsubscribeAsync(topic).then(
        () => resolve(value),
        () => resolve(value),
      );
    }
    function onMessage(t: string, payload: Buffer, packet: { retain?: boolean }) {
      if (t === topic && packet.retain) done(payload.length ? payload.toString('utf8') : null);
    }
    client.on('message', onMessage);
    client.subscribeAsync(topic, { qos: 1 }).catch(reject);
  });
}

/** The announced (retained) manifest for a board, or null. Used for anti-rollback. */
export async function readAnnouncement(
  target: MqttTarget,
  board: string,
  waitMs = 1000,
): Promise<OtaManifest | null> {
  const client = await connect(target);
  try {
    const text = await readRetained(client, topics(target.prefix).announcement(board), waitMs);
    return text === null
      ? null
      : parseManifest(text, `the retained announcement for ${board} on ${target.url}`);
  } finally {
    await client.endAsync();
  }
}

/** Announces a release: the manifest, retained with QoS 1 so devices connecting later get it,
 * plus the initial rollout state. */
export async function announceRelease(
  target: MqttTarget,
  manifest: OtaManifest,
  state: RolloutState,
): Promise<{ announcement: string; rollout: string }> {
  const t = topics(target.prefix);
  const client = await connect(target);
  try {
    await publishRetained(client, t.announcement(manifest.board), serializeManifest(manifest));
    await publishRollout(client, target, state);
    return { announcement: t.announcement(manifest.board), rollout: t.rollout(manifest.releaseId) };
  } finally {
    await client.endAsync();
  }
}

async function publishRollout(
  client: MqttClient,
  target: MqttTarget,
  state: RolloutState,
): Promise<void> {
  validateWithSchema(ROLLOUT_SCHEMA, state, {
    code: 'OTA_ROLLOUT_INVALID',
    source: 'the rollout state',
    hint: 'This is a TinyOps bug: please report it.',
  });
  await publishRetained(
    client,
    topics(target.prefix).rollout(state.releaseId),
    JSON.stringify(state),
  );
}

export function parseRolloutState(text: string, source: string): RolloutState {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new TinyOpsError('OTA_ROLLOUT_INVALID', `${source} is not JSON`, {
      where: source,
      hint: 'Republish the release with `tinyops ota publish`.',
    });
  }
  validateWithSchema(ROLLOUT_SCHEMA, data, {
    code: 'OTA_ROLLOUT_INVALID',
    source,
    hint: 'Republish the release with `tinyops ota publish`.',
  });
  return data as RolloutState;
}

/** Promote step 1: the current retained rollout state, then device health reports for windowMs. */
export async function collectHealth(
  target: MqttTarget,
  releaseId: string,
  windowMs: number,
): Promise<{ state: RolloutState | null; reports: HealthReport[]; ignored: number }> {
  const t = topics(target.prefix);
  const client = await connect(target);
  try {
    const stateText = await readRetained(client, t.rollout(releaseId), 1000);
    const state =
      stateText === null
        ? null
        : parseRolloutState(stateText, `the rollout state on ${t.rollout(releaseId)}`);
    const reports: HealthReport[] = [];
    let ignored = 0;
    const onMessage = (topic: string, payload: Buffer) => {
      const health = t.health(releaseId);
      if (topic !== health && !topic.startsWith(`${health}/`)) return;
      const r = parseHealthReport(payload);
      if (r) reports.push(r);
      else ignored++;
    };
    client.on('message', onMessage);
    await client.subscribeAsync([t.health(releaseId), `${t.health(releaseId)}/+`], { qos: 1 });
    await new Promise((resolve) => setTimeout(resolve, windowMs));
    client.removeListener('message', onMessage);
    return { state, reports, ignored };
  } finally {
    await client.endAsync();
  }
}

/** Promote step 2: publishes the decided state, retained. */
export async function publishRolloutState(
  target: MqttTarget,
  state: RolloutState,
): Promise<string> {
  const client = await connect(target);
  try {
    await publishRollout(client, target, state);
    return topics(target.prefix).rollout(state.releaseId);
  } finally {
    await client.endAsync();
  }
}
