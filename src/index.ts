export * from './logistics-tracking-api';
export * from './props';
export * from './alarm-options';
export * from './api-type';
export * from './authorization';
export * from './tracking-status';
export * from './status-changed';
