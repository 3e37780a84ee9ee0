/** The cases by id, without what they need to run (so the command line can be read on its own). */
export type CaseId = 'list' | 'search' | 'item' | 'me' | 'quote' | 'item-missing' | 'me-no-token';

/** Cases whose answer is an error, measured for the instructions of the error path only. */
export const ERROR_CASE_IDS: readonly CaseId[] = ['item-missing', 'me-no-token'];
export const HOT_PATH_CASE_IDS: readonly CaseId[] = ['list', 'search', 'item', 'me', 'quote'];
