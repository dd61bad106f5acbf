import { pushCorsHeaders } from './push-cors';

describe(pushCorsHeaders.name, () => {
  const allowed = ['https://news.example.com'];

  it('lets a listed origin read the answer, and preflights name the methods and headers', () => {
    expect(pushCorsHeaders('https://news.example.com', false, allowed)).toEqual({ Vary: 'Origin', 'Access-Control-Allow-Origin': 'https://news.example.com' });
    expect(pushCorsHeaders('https://news.example.com', true, allowed)).toMatchObject({
      'Access-Control-Allow-Methods': 'GET, POST, PUT, DELETE',
      'Access-Control-Allow-Headers': 'Content-Type, Authorization',
    });
  });

  it.each([undefined, 'https://evil.example.com', 'https://news.example.com.evil.example', 'http://news.example.com', 'null'])('allows nothing to %s', (origin) => {
    expect(pushCorsHeaders(origin, true, allowed)).toEqual({ Vary: 'Origin' });
  });
});
