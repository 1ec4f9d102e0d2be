// The enum is declared with the other status rules in the contract the functions
// share (src/contract/statuses.ts); this module keeps it in the package's API.
export { TrackingStatus } from './contract/statuses';
