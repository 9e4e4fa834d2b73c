export {
  aggregateRecorderContract,
  aggregateRecorderTests,
} from './aggregate-recorder-contract.js';
export {
  applicationRecorderContract,
  applicationRecorderTests,
} from './application-recorder-contract.js';
export type { CreateRecorder, RecorderContractOptions } from './contract-helpers.js';
export { processRecorderContract, processRecorderTests } from './process-recorder-contract.js';
export { trackingRecorderContract, trackingRecorderTests } from './tracking-recorder-contract.js';
