/** The message `promise` rejects with; fails the test when it resolves. Lets a test make several claims about one message. */
export async function failure(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected a failure');
}
