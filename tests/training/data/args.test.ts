import { describe, expect, it } from 'vitest';
import { choice, parseArgs } from '../../../src/training/data/args';
import { InputError } from '../../../src/training/data/input-error';

const COMMAND = { usage: 'usage: npm run thing -- --dataset <file> [--text <file>]', flags: ['dataset', 'text', 'epochs'] };

function messageOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return (error as Error).message;
  }
  throw new Error('no error');
}

describe('parseArgs', () => {
  it('reads the flags a command declares: --name value, --name=value, switches', () => {
    expect(parseArgs(['--dataset', 'a.txt', '--text=t.json', '--epochs'], COMMAND)).toEqual({ dataset: 'a.txt', text: 't.json', epochs: true });
  });

  it('refuses a flag the command does not declare, with the nearest spelling and the usage line', () => {
    expect(messageOf(() => parseArgs(['--dataset', 'a', '--txet', 'b'], COMMAND))).toBe(`unknown flag --txet (did you mean --text?)\n${COMMAND.usage}`);
    expect(messageOf(() => parseArgs(['--epoch', '3'], COMMAND))).toContain('(did you mean --epochs?)');
    expect(messageOf(() => parseArgs(['--zzzzzz'], COMMAND))).toBe(`unknown flag --zzzzzz\n${COMMAND.usage}`);
    expect(messageOf(() => parseArgs(['stray'], COMMAND))).toContain(COMMAND.usage);
  });
});

describe('choice', () => {
  it('takes one of the accepted values, the default when absent, and lists them when misspelt', () => {
    const accepted = ['standard', 'device', 'catalogue'] as const;
    expect(choice({ protocol: 'device' }, 'protocol', accepted, 'standard')).toBe('device');
    expect(choice({}, 'protocol', accepted, 'standard')).toBe('standard');
    expect(messageOf(() => choice({ protocol: 'standrd' }, 'protocol', accepted, 'standard'))).toBe(
      '--protocol must be one of standard, device, catalogue (got "standrd"; did you mean standard?)',
    );
  });
});
