export { main } from './program.js';
export { EXIT, exitCodeForError, exitCodeForReport } from './exit-codes.js';
