// The problems of a stack's objects, gathered so that one run reports every one of them: each
// object is built on its own, a refused one is left out (and what names it is not built either),
// and the stack throws them all together at the end.

/** Problems of the objects of a stack, each reported once. */
export class StackProblems {
  private readonly found: string[] = [];

  /** Adds a problem. */
  public add(problem: string): void {
    if (!this.found.includes(problem)) this.found.push(problem);
  }

  /** Builds an object; when it is refused, adds its problems and returns undefined. */
  public attempt<T>(build: () => T): T | undefined {
    try {
      return build();
    } catch (error) {
      if (!(error instanceof Error)) throw error;
      // An error listing several problems ("3 problems:\n  a\n  b\n  c") adds each.
      const listed = /^\d+ problems:\n/.test(error.message);
      const problems = listed ? error.message.split('\n  ').slice(1) : [error.message];
      problems.forEach((p) => this.add(p));
      return undefined;
    }
  }

  /** Throws one error listing every problem found, if any. */
  public throwIfAny(): void {
    if (this.found.length === 0) return;
    throw new Error(
      this.found.length === 1 ? this.found[0] : `${this.found.length} problems:\n  ${this.found.join('\n  ')}`,
    );
  }
}
