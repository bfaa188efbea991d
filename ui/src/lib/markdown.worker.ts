// The markdown worker: parses markdown off the main thread, so a text that takes marked seconds
// (or recurses until it throws) never freezes the window. markdown.ts gives each job a deadline
// and terminates this worker when it is missed. It says `ready` once loaded and warmed up; then it answers
// every `MarkdownJob` with one `MarkdownReply`.
import { answerMarkdownJob, warmUp, type MarkdownJob, type MarkdownReply } from './markdown.parse';

const scope = self as unknown as {
  onmessage: ((ev: MessageEvent<MarkdownJob>) => void) | null;
  postMessage(message: MarkdownReply): void;
};

scope.onmessage = (ev) => scope.postMessage(answerMarkdownJob(ev.data));
warmUp();
scope.postMessage({ ready: true });
