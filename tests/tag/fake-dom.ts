/**
 * Just enough of a DOM parent and its element children for reorder.ts's `rearrange`: children in
 * order, siblings, `insertBefore`. Counts the moves.
 */
export class FakeElement {
  constructor(
    readonly name: string,
    readonly parent: FakeParent,
  ) {}

  get nextElementSibling(): FakeElement | null {
    return this.parent.kids[this.parent.kids.indexOf(this) + 1] ?? null;
  }

  get previousElementSibling(): FakeElement | null {
    return this.parent.kids[this.parent.kids.indexOf(this) - 1] ?? null;
  }

  get nextSibling(): FakeElement | null {
    return this.nextElementSibling;
  }
}

export class FakeParent {
  kids: FakeElement[] = [];
  moves = 0;

  constructor(names: readonly string[]) {
    this.kids = names.map((name) => new FakeElement(name, this));
  }

  get children(): FakeElement[] {
    return this.kids;
  }

  get firstElementChild(): FakeElement | null {
    return this.kids[0] ?? null;
  }

  insertBefore(node: FakeElement, before: FakeElement | null): void {
    this.moves++;
    this.kids = this.kids.filter((kid) => kid !== node);
    const at = before ? this.kids.indexOf(before) : this.kids.length;
    this.kids.splice(at, 0, node);
  }

  names(): string[] {
    return this.kids.map((kid) => kid.name);
  }

  get(name: string): FakeElement {
    return this.kids.find((kid) => kid.name === name)!;
  }
}
