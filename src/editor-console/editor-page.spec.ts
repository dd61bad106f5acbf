import { renderEditorPage } from './editor-page';

describe(renderEditorPage.name, () => {
  const sut = () => renderEditorPage({ stylesheets: ['/assets/site.css?v=1', '/editor/assets/editor.css?v=2'], script: '/editor/assets/editor.js?v=3' });

  it('loads its stylesheets in order and one external script, with nothing inline', () => {
    const page = sut();
    expect(page.indexOf('/assets/site.css?v=1')).toBeLessThan(page.indexOf('/editor/assets/editor.css?v=2'));
    expect(page.match(/<script\b[^>]*>/g)).toEqual(['<script src="/editor/assets/editor.js?v=3" defer>']);
    expect(page).not.toMatch(/<style\b/i);
    expect(page).not.toMatch(/\sstyle=/i);
    expect(page).not.toMatch(/\son[a-z]+=/i);
  });

  it('labels every field it asks for', () => {
    const page = sut();
    const ids = [...page.matchAll(/<(?:input|textarea|select)\b[^>]*\bid="([^"]+)"/g)].map((match) => match[1]);
    expect(ids.length).toBeGreaterThanOrEqual(6);
    for (const id of ids) expect(page).toContain(`<label for="${id}">`);
  });

  it('shows emails in frames that may never run scripts', () => {
    const frames = sut().match(/<iframe\b[^>]*>/g) ?? [];
    expect(frames).toHaveLength(2);
    for (const frame of frames) {
      expect(frame).toMatch(/\ssandbox="[^"]*"/);
      expect(frame).not.toMatch(/allow-scripts|allow-forms|allow-top-navigation/);
      expect(frame).toMatch(/\stitle="[^"]+"/);
    }
  });

  it('announces progress and errors to assistive technology', () => {
    const page = sut();
    expect(page).toMatch(/id="progress-text" role="status" aria-live="polite"/);
    expect(page).toMatch(/id="console-error"[^>]*role="alert"/);
  });

  it('offers the alert options: channels, priority with what it means, now or a time, a test, a cancel, and staff push', () => {
    const page = sut();
    expect(page).toMatch(/<input type="checkbox" name="channels" value="email" checked>/);
    expect(page).toMatch(/<input type="checkbox" name="channels" value="push" checked>/);
    expect(page).toMatch(/<input type="radio" name="priority" value="major" checked>/);
    expect(page).toMatch(/<input type="radio" name="priority" value="minor">/);
    expect(page).toMatch(/id="priority-hint">Major: everyone at once\. Minor: waits for each reader’s quiet hours/);
    expect(page).toMatch(/<input id="send-at" name="sendAt" type="datetime-local"/);
    expect(page).toMatch(/<div id="schedule-field" class="field" hidden>/);
    for (const id of ['test-button', 'cancel-button', 'staff-push-button']) expect(page).toMatch(new RegExp(`<button id="${id}" [^>]*type="button"`));
    expect(page).toMatch(/<button id="cancel-button" [^>]*hidden>/);
    for (const id of ['email-held', 'email-bounced', 'email-complained', 'push-sent', 'push-failed', 'push-expired']) expect(page).toContain(`id="${id}"`);
  });

  it('never lets a form put the key in a URL, even without its script', () => {
    const page = sut();
    expect(/<form id="key-form"[^>]*>/.exec(page)?.[0]).toMatch(/method="post"/);
    const keyInput = /<input id="key-input"[^>]*>/.exec(page)?.[0];
    expect(keyInput).toMatch(/type="password"/);
    expect(keyInput).not.toMatch(/\sname=/);
    expect(page).toMatch(/<section id="key-panel"[^>]*\shidden>/);
  });
});
