/** Why parameter names could not be read. */
export class ParameterParseError extends Error {}
