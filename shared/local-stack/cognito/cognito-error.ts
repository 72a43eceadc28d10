/** A refusal as Cognito's JSON protocol sends it: the exception's name in `__type`, status 400 unless said. */
export class CognitoError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
    this.name = type;
  }

  get body(): { __type: string; message: string } {
    return { __type: this.type, message: this.message };
  }
}
