export {
  aggregateRecorderContract,
  aggregateRecorderTests,
} from './aggregate-recorder-contract.js';
export {
  applicationRecorderContract,
  applicationRecorderTests,
} from './application-recorder-contract.js';
export type { CreateRecorder, RecorderContractOptions } from './contract-helpers.js';
export {
  type DCBRecorderContractOptions,
  dcbRecorderContract,
  dcbRecorderTests,
} from './dcb-recorder-contract.js';
export {
  DCBSpecificationGiven,
  DCBSpecificationWhen,
  DCBSpecificationWhenSlice,
  type ExpectedDCBError,
  given,
  when,
} from './dcb-specification.js';
export { processRecorderContract, processRecorderTests } from './process-recorder-contract.js';
export {
  type ExpectedError,
  ProjectionSpecification,
  type ProjectionSpecificationOptions,
  projectionSpecification,
  type SpecifiedEvent,
  type SpecifiedProjection,
  type SpecifiedProjectionClass,
} from './projection-specification.js';
export {
  type CountingView,
  type RecordBatchContractOptions,
  recordBatchContract,
  recordBatchTests,
} from './record-batch-contract.js';
export {
  subscriptionPagesContract,
  subscriptionPagesTests,
} from './subscription-pages-contract.js';
export { trackingRecorderContract, trackingRecorderTests } from './tracking-recorder-contract.js';
