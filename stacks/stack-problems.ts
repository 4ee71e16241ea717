import { listProblems, problemsOf } from '../lib/rules';

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
      // An error listing several problems adds each.
      problemsOf(error).forEach((p) => this.add(p));
      return undefined;
    }
  }

  /** Throws one error listing every problem found, if any. */
  public throwIfAny(): void {
    if (this.found.length > 0) throw new Error(listProblems(this.found));
  }
}
