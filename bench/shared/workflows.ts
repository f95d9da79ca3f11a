/** The bench worker's workflow bundle entry. */
export { baselineNomination } from './baseline.workflow';
