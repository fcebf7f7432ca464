/**
 * Entry point of the server's background threads (bundled as dist/serverThread.js; out/.../serverThread.js
 * when running from tsc output): one script, the role named by its workerData.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { isUploadPreparerData, runUploadPreparer } from './uploadPreparer';
import { isCheckpointerData, runWalCheckpointer } from './walCheckpointer';

if (!parentPort) throw new Error('serverThread.js must run as a worker thread');
if (isCheckpointerData(workerData)) runWalCheckpointer(workerData, parentPort);
else if (isUploadPreparerData(workerData)) runUploadPreparer(parentPort);
else throw new Error('serverThread.js: unknown role');
