import { describe, expect, it } from 'vitest';
import { detail, message } from './__fixtures__/data';
import { buildTranscriptView } from './transcript';

describe('buildTranscriptView', () => {
  const view = buildTranscriptView(detail());
  const kinds = view.items.map((i) => i.kind);

  it('shows user and assistant lines in file order, tool results attached to their calls', () => {
    expect(kinds).toEqual(['user', 'user', 'assistant', 'assistant', 'user', 'assistant', 'system', 'assistant']);
    expect(view.toolResults.toolu_1).toEqual({ text: 'hello-from-bash', isError: false });
    expect(view.toolResults.toolu_2).toEqual({ text: 'hi', isError: false });
  });

  it('joins the one-line-per-block assistant lines of a reply into one message', () => {
    const first = view.items[2];
    expect(first.kind === 'assistant' && first.blocks.map((b) => b.type)).toEqual(['thinking', 'text', 'tool_use']);
    const v = buildTranscriptView({
      transcript: {
        entries: [
          message('assistant', [{ type: 'text', text: 'a' }]),
          message('assistant', [{ type: 'text', text: 'sub' }], { isSidechain: true }),
          message('user', [{ type: 'tool_result', tool_use_id: 'x', content: '', is_error: false }]),
          message('assistant', [{ type: 'text', text: 'b' }]),
        ],
        malformedLines: 0,
        incompleteTail: false,
      },
    });
    expect(v.items.filter((i) => i.kind === 'assistant')).toHaveLength(3);
  });

  it('dims meta lines and command echoes, marks sidechains', () => {
    const meta = view.items[1];
    expect(meta.kind === 'user' && meta.dim).toBe(true);
    expect(view.items.filter((i) => i.sidechain)).toHaveLength(2);
    expect(view.items[0].dim).toBe(false);
  });

  it('hides progress and bookkeeping lines but counts them', () => {
    expect(view.hiddenCount).toBe(3); // file-history-snapshot, progress, aiTitle
  });

  it('labels system lines', () => {
    const sys = view.items.find((i) => i.kind === 'system');
    expect(sys && sys.kind === 'system' && sys.text).toBe('Conversation compacted');
  });

  it('shows a tool result without a known call on its own', () => {
    const v = buildTranscriptView({
      transcript: {
        entries: [message('user', [{ type: 'tool_result', tool_use_id: 'gone', content: 'x', is_error: true }])],
        malformedLines: 0,
        incompleteTail: false,
      },
    });
    expect(v.items).toEqual([expect.objectContaining({ kind: 'orphanResult', toolUseId: 'gone', result: { text: 'x', isError: true } })]);
  });

  it('marks the CLI’s synthetic error messages and compact summaries', () => {
    const v = buildTranscriptView({
      transcript: {
        entries: [
          message('assistant', [{ type: 'text', text: 'API Error: 400' }], { model: '<synthetic>' }),
          message('user', 'This session is being continued…', { isCompactSummary: true }),
          message('user', [{ type: 'other', raw: { type: 'image' } }]),
        ],
        malformedLines: 0,
        incompleteTail: false,
      },
    });
    expect(v.items[0]).toEqual(expect.objectContaining({ kind: 'assistant', synthetic: true }));
    expect(v.items[1]).toEqual(expect.objectContaining({ kind: 'user', compactSummary: true }));
    expect(v.items[2]).toEqual(expect.objectContaining({ kind: 'user', text: '[image]' }));
  });

  it('survives an empty or odd transcript', () => {
    expect(buildTranscriptView({ transcript: { entries: [], malformedLines: 0, incompleteTail: false } }).items).toEqual([]);
    expect(buildTranscriptView({} as never).items).toEqual([]);
  });
});
