/** The tool version written into every Analysis. Kept in step with package.json by a test. */
export const TOOL_VERSION = '0.1.0';
