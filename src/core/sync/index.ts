export * from './uploadChain';
export * from './outbox';
export * from './feedOutbox';
export * from './syncClient';
export * from './syncLock';
export * from './ledgerUpload';
