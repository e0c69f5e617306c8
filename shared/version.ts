/** The TinyOps version stamped into generated files and reports. Kept in step with package.json by a test. */
export const TINYOPS_VERSION = '0.1.0';
