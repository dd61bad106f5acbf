import { bearerKey, editorKeyId, matchEditorKey } from './editor-keys';

describe(matchEditorKey.name, () => {
  const keys = ['alpha-key-123', 'beta-key-456'];

  it('finds the configured key that was presented', () => {
    expect(matchEditorKey('beta-key-456', keys)).toBe('beta-key-456');
  });

  it('refuses a wrong key, a prefix of a key and a key with extra characters', () => {
    expect(matchEditorKey('gamma', keys)).toBeNull();
    expect(matchEditorKey('alpha-key', keys)).toBeNull();
    expect(matchEditorKey('alpha-key-1234', keys)).toBeNull();
  });

  it('refuses everyone when no key is configured', () => {
    expect(matchEditorKey('', [])).toBeNull();
    expect(matchEditorKey('alpha-key-123', [])).toBeNull();
  });
});

describe(bearerKey.name, () => {
  it('reads the key of a Bearer header', () => {
    expect(bearerKey('Bearer abc.def-1')).toBe('abc.def-1');
  });

  it('rejects other schemes, empty keys and keys with spaces or control characters', () => {
    expect(bearerKey(undefined)).toBeNull();
    expect(bearerKey('Basic abc')).toBeNull();
    expect(bearerKey('Bearer ')).toBeNull();
    expect(bearerKey('Bearer a b')).toBeNull();
    expect(bearerKey('Bearer a\u0000b')).toBeNull();
  });
});

describe(editorKeyId.name, () => {
  it('names a key without revealing it', () => {
    const id = editorKeyId('alpha-key-123');
    expect(id).toMatch(/^key-[0-9a-f]{8}$/);
    expect(id).not.toContain('alpha');
    expect(editorKeyId('alpha-key-123')).toBe(id);
  });
});
