// The entry of a MultiProcessRunner's child process: runs one follower of the system with a
// FollowerHost (ownership lock, woken by the database) and reports readiness and errors to
// the parent over IPC. Run by the runner with the parent's execArgv (tsx in tests); never
// imported by the package's modules.
import {
  CHILD_CONFIG_VAR,
  type ChildConfig,
  type ChildMessage,
  type ParentMessage,
  serializeError,
} from './child-messages.js';
import { FollowerHost } from './follower-host.js';
import { importSystem } from './system-reference.js';

/** Sends a message to the parent; resolves once sent (or at once without a channel). */
function send(message: ChildMessage): Promise<void> {
  return new Promise((resolve) => {
    if (process.send === undefined || !process.connected) return resolve();
    process.send(message, () => resolve());
  });
}

/** Ends the IPC channel, the last thing keeping the process alive once the host stopped. */
function disconnect(): void {
  if (process.connected) process.disconnect();
}

async function runChild(): Promise<void> {
  const text = process.env[CHILD_CONFIG_VAR];
  if (text === undefined) {
    process.stderr.write(
      `${CHILD_CONFIG_VAR} is not set: this module is run by MultiProcessRunner, not by hand.\n`,
    );
    process.exitCode = 2;
    return;
  }
  const config = JSON.parse(text) as ChildConfig;
  let host: FollowerHost | null = null;
  let stopping: Promise<void> | null = null;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      // A processing error reaches the parent from runForever below.
      await host?.stop().catch(() => {});
      disconnect();
    })();
    return stopping;
  };
  process.on('message', (message: ParentMessage) => {
    if (message?.type === 'stop') void stop();
  });
  // The parent is gone (killed): stop rather than run without it.
  process.on('disconnect', () => void stop());
  // Ctrl-C reaches the whole process group: the parent decides when its children stop.
  process.on('SIGINT', () => {});
  process.on('SIGTERM', () => void stop());
  try {
    const system = await importSystem({ module: config.module, export: config.export });
    host = new FollowerHost(system, {
      env: config.env ?? undefined,
      only: [config.follower],
      ...(config.batchSize === null ? {} : { batchSize: config.batchSize }),
      onError: (error, source) => {
        void send({ type: 'retried', error: serializeError(error), source });
      },
    });
    await host.start();
    if (stopping !== null) {
      // Told to stop while starting: stop() ran before there was a host to stop.
      await host.stop().catch(() => {});
      return;
    }
  } catch (error) {
    await send({ type: 'error', error: serializeError(error), starting: true });
    process.exitCode = 2;
    await stop();
    return;
  }
  await send({ type: 'ready' });
  try {
    await host.runForever();
  } catch (error) {
    await send({ type: 'error', error: serializeError(error), starting: false });
    process.exitCode = 3;
  }
  await stop();
}

await runChild();
