/** A stack rule's problem: the message, and the resource to point at (none = the stack as a whole). */
export interface Finding {
  message: string;
  urn?: string;
}
