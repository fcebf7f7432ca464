export * from './schema';
export * from './version';
export * from './content';
export * from './agentTrace';
export * from './jsonSchema';
export * from './validateJsonl';
export * from './ids';
