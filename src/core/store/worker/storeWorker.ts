/**
 * Entry point of the store worker thread (bundled as dist/storeWorker.js; out/.../storeWorker.js when
 * running from tsc output). Hosts the IndexService: the sql.js database, journal replay, queries and
 * snapshots all run here, so the thread that opened the store never waits on them.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { type FoldBatch, IndexService } from '../index/indexService';
import { storeLayout } from '../storeHome';
import { unpackFoldBatch } from './foldTransport';
import { dispatchIndexCall } from './indexDispatch';
import { type FromWorker, type ToWorker, WorkerInit } from './protocol';
import { backgroundSnapshotWriter, isSnapshotWriterData, runSnapshotWriter } from './snapshotWriterThread';

// The same script also runs the snapshot writer thread (see snapshotWriterThread.ts): one file to bundle.
if (isSnapshotWriterData(workerData)) runSnapshotWriter(workerData);
else runStoreWorker();

function runStoreWorker(): void {
  if (!parentPort) throw new Error('storeWorker.js must run as a worker thread');
  const port = parentPort;
  const init = WorkerInit.parse(workerData);
  const post = (message: FromWorker) => port.postMessage(message);

  const snapshotWriter = backgroundSnapshotWriter(__filename);
  const opening = IndexService.open({
    layout: storeLayout(init.home),
    storeId: init.storeId,
    wasmPath: init.wasmPath,
    snapshots: init.snapshots,
    onProblem: (problem) => post({ type: 'problem', problem }),
    writeSnapshotFile: snapshotWriter,
  });
  let timer: NodeJS.Timeout | undefined;
  opening.then(
    (service) => {
      timer = setInterval(() => service.tick(), init.tickMs);
      timer.unref();
      if (init.snapshots?.enabled !== false) snapshotWriter.warmUp();
    },
    (err: Error) => post({ type: 'problem', problem: { kind: 'index_error', message: `the index could not start: ${err.message}` } }),
  );

  port.on('message', (message: ToWorker) => void handle(message));

  /**
   * Fold batches wait here until the messages that arrived with them are read, then are folded together
   * (see IndexService.foldAll); any call folds them first, so it sees every append acknowledged before it.
   */
  let pendingFolds: FoldBatch[] = [];
  let foldScheduled = false;

  function foldPending(service: IndexService): void {
    if (pendingFolds.length === 0) return;
    const batches = pendingFolds;
    pendingFolds = [];
    try {
      service.foldAll(batches);
    } catch (err) {
      post({ type: 'problem', problem: { kind: 'index_error', message: `folding into the index failed: ${(err as Error).message}` } });
    }
  }

  async function handle(message: ToWorker): Promise<void> {
    const id = message.type === 'call' ? message.id : null;
    try {
      const service = await opening;
      if (message.type === 'fold') {
        pendingFolds.push(unpackFoldBatch(message.batch));
        if (!foldScheduled) {
          foldScheduled = true;
          setImmediate(() => {
            foldScheduled = false;
            foldPending(service);
          });
        }
        return;
      }
      foldPending(service);
      post({ type: 'result', id: message.id, value: dispatchIndexCall(service, message.method, message.arg) });
      if (message.method === 'close') {
        clearInterval(timer);
        snapshotWriter.close();
        port.close();
      }
    } catch (err) {
      const error = err instanceof Error ? err : new Error(String(err));
      if (id === null) post({ type: 'problem', problem: { kind: 'index_error', message: `folding into the index failed: ${error.message}` } });
      else post({ type: 'error', id, name: error.name, message: error.message });
    }
  }
}
