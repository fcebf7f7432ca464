import * as assert from 'node:assert/strict';
import { MAX_REDACT_INPUT, redactSecrets, type SecretKind } from '../../src/core/privacy';
import { fakeSecret, seededRandom } from '../fixtures/secrets/fakeSecrets';

// Token-shaped literals are assembled from parts (or generated) so that secret scanners do not block commits.
const rng = seededRandom(42);
const github = fakeSecret('github-token', rng);
const stripe = fakeSecret('stripe-key', rng);
const slack = fakeSecret('slack-token', rng);
const jwt = fakeSecret('jwt', rng);
const pem = fakeSecret('private-key', rng);
const openai = fakeSecret('openai-key', rng);
const anthropic = fakeSecret('anthropic-key', rng);
const gitlab = fakeSecret('gitlab-token', rng);
const google = fakeSecret('google-api-key', rng);
const npm = fakeSecret('npm-token', rng);
const awsId = 'AKIAIOSFODNN7EXAMPLE';
const awsSecret = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';

/** [input, expected output] */
type Case = [string, string];

function check(cases: Case[]): void {
  for (const [input, expected] of cases) assert.equal(redactSecrets(input).text, expected, JSON.stringify(input));
}

describe('redactSecrets', () => {
  describe('vendor tokens (the whole token goes)', () => {
    it('AWS access key ids and secret access keys', () => {
      check([
        [awsId, '[REDACTED:aws-access-key-id]'],
        ['ASIA' + 'Y34FZKBO1EXAMPLE', '[REDACTED:aws-access-key-id]'],
        [`aws_secret_access_key = ${awsSecret}`, 'aws_secret_access_key = [REDACTED:aws-secret-access-key]'],
        [`AWS_SECRET_ACCESS_KEY="${awsSecret}"`, 'AWS_SECRET_ACCESS_KEY="[REDACTED:aws-secret-access-key]"'],
        [`"SecretAccessKey": "${awsSecret}"`, '"SecretAccessKey": "[REDACTED:aws-secret-access-key]"'],
        ['XAKIAIOSFODNN7EXAMPLE', 'XAKIAIOSFODNN7EXAMPLE'], // part of a longer word: not a key id
      ]);
    });

    it('GitHub, GitLab, Slack, Stripe, Google, OpenAI, Anthropic and npm tokens', () => {
      check([
        [`token: ${github}`, 'token: [REDACTED:github-token]'],
        ['github_pat_' + '11FAKE0123456789abcdef_abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456', '[REDACTED:github-token]'],
        [`git clone https://oauth2:${gitlab}@gitlab.com/a/b.git`, 'git clone https://oauth2:[REDACTED:gitlab-token]@gitlab.com/a/b.git'],
        ['gldt-' + 'FAKEabcdefghij0123456789', '[REDACTED:gitlab-token]'],
        [`SLACK=${slack}`, 'SLACK=[REDACTED:slack-token]'],
        ['https://hooks.slack.com/services/' + 'T00000000/B00000000/FAKEXXXXXXXXXXXXXXXXXXXX', 'https://hooks.slack.com/services/[REDACTED:slack-webhook]'],
        [`new Stripe('${stripe}')`, "new Stripe('[REDACTED:stripe-key]')"],
        [`key=${google}&q=x`, 'key=[REDACTED:google-api-key]&q=x'],
        [`use ${openai} please`, 'use [REDACTED:openai-key] please'],
        [`use ${anthropic} please`, 'use [REDACTED:anthropic-key] please'],
        [`//registry.npmjs.org/:_authToken=${npm}`, '//registry.npmjs.org/:_authToken=[REDACTED:npm-token]'],
      ]);
    });

    it('does not take words that merely start like a key', () => {
      check([
        ['<div class="sk-loading-spinner-container-2">', '<div class="sk-loading-spinner-container-2">'],
        ['const ghp_prefix = "ghp_";', 'const ghp_prefix = "ghp_";'],
        ['xoxo-gossip-girl', 'xoxo-gossip-girl'],
        ['pk_live_publishableKeyIsPublic0000', 'pk_live_publishableKeyIsPublic0000'],
      ]);
    });
  });

  describe('structured secrets', () => {
    it('replaces a private key block from BEGIN to END, in real or escaped newlines', () => {
      check([
        [`key:\n${pem}\nnext: line`, 'key:\n[REDACTED:private-key]\nnext: line'],
        [`{"private_key": "${pem.replace(/\n/g, '\\n')}\\n"}`, '{"private_key": "[REDACTED:private-key]"}'],
      ]);
    });

    it('redacts a private key cut before its END line, but not a lone header in code', () => {
      const cut = pem.split('\n').slice(0, 3).join('\n');
      check([
        [`${cut}\nconst x = 1;`, '[REDACTED:private-key]\nconst x = 1;'],
        ["if (pem.startsWith('-----BEGIN RSA PRIVATE KEY-----')) {", "if (pem.startsWith('-----BEGIN RSA PRIVATE KEY-----')) {"],
      ]);
    });

    it('redacts JWTs', () => {
      check([[`Cookie: session=${jwt}; Path=/`, 'Cookie: session=[REDACTED:jwt]; Path=/']]);
    });

    it('redacts only the password of a URL, for any scheme', () => {
      check([
        ['postgres://app:s3cr3t@db:5432/app', 'postgres://app:[REDACTED:url-password]@db:5432/app'],
        ['mysql://root:pw@127.0.0.1/x', 'mysql://root:[REDACTED:url-password]@127.0.0.1/x'],
        ['mongodb+srv://u:p%40ss@cluster0.example.net/db', 'mongodb+srv://u:[REDACTED:url-password]@cluster0.example.net/db'],
        ['redis://:r3dis@cache:6379/0', 'redis://:[REDACTED:url-password]@cache:6379/0'],
        ['amqp://guest:guest123@rabbit//', 'amqp://guest:[REDACTED:url-password]@rabbit//'],
        ['https://user:tok3n@example.com/x', 'https://user:[REDACTED:url-password]@example.com/x'],
      ]);
    });

    it('leaves URLs without credentials, placeholders and ports alone', () => {
      check([
        ['https://example.com:8443/path?x=1', 'https://example.com:8443/path?x=1'],
        ['postgres://app:${DB_PASSWORD}@db/app', 'postgres://app:${DB_PASSWORD}@db/app'],
        ['postgres://user:password@localhost/db', 'postgres://user:password@localhost/db'],
        ['git@github.com:acme/shop.git', 'git@github.com:acme/shop.git'],
      ]);
    });

    it('redacts Authorization header credentials and random bearer tokens', () => {
      check([
        ['Authorization: Bearer abc123def456ghi789', 'Authorization: Bearer [REDACTED:bearer-token]'],
        ['-H "authorization: Basic dXNlcjpwYXNzd29yZA=="', '-H "authorization: Basic [REDACTED:bearer-token]"'],
        ["headers = {'Authorization': 'token 0123456789abcdef'}", "headers = {'Authorization': 'token [REDACTED:bearer-token]'}"],
        ['send it as Bearer Zk3J9qLx7PmN2vR8tW4yB6cD', 'send it as Bearer [REDACTED:bearer-token]'],
      ]);
    });

    it('leaves header code and prose about bearer tokens alone', () => {
      check([
        ['headers: { Authorization: `Bearer ${token}` }', 'headers: { Authorization: `Bearer ${token}` }'],
        ["{ 'Authorization': 'Bearer ' + token }", "{ 'Authorization': 'Bearer ' + token }"],
        ['Authorization: authHeader,', 'Authorization: authHeader,'],
        ['Bearer authentication is described in RFC 6750.', 'Bearer authentication is described in RFC 6750.'],
      ]);
    });
  });

  describe('named secrets: only the value goes, the syntax stays', () => {
    it('in the usual assignment syntaxes, any case', () => {
      check([
        ['password = "hunter2xyz"', 'password = "[REDACTED:password]"'],
        ["password='hunter2xyz'", "password='[REDACTED:password]'"],
        ['PASSWORD=hunter2xyz', 'PASSWORD=[REDACTED:password]'],
        ['export DB_PASSWORD="p@ss w0rd"', 'export DB_PASSWORD="[REDACTED:password]"'],
        ['"password": "hunter2xyz",', '"password": "[REDACTED:password]",'],
        ['password: hunter2xyz', 'password: [REDACTED:password]'],
        ['db_passwd := "go-pass-1"', 'db_passwd := "[REDACTED:password]"'],
        ["'pwd' => 'php-pass-1',", "'pwd' => '[REDACTED:password]',"],
        ['password: str = "hunter2xyz"', 'password: str = "[REDACTED:password]"'],
        ['spring.datasource.password=s3cret', 'spring.datasource.password=[REDACTED:password]'],
        ['$env:API_KEY = "0123456789abcdef"', '$env:API_KEY = "[REDACTED:generic-api-key]"'],
        ['apiKey: "0123456789abcdef",', 'apiKey: "[REDACTED:generic-api-key]",'],
        ['api-key: 0123456789abcdef', 'api-key: [REDACTED:generic-api-key]'],
        ['"client_secret": "abc123def456"', '"client_secret": "[REDACTED:generic-secret]"'],
        ['SECRET=abc123def456', 'SECRET=[REDACTED:generic-secret]'],
        ['PRIVATE_KEY=abc123def456', 'PRIVATE_KEY=[REDACTED:generic-secret]'],
        ['Server=db;Database=app;User Id=sa;Password=MyS3cret!;Encrypt=True', 'Server=db;Database=app;User Id=sa;Password=[REDACTED:password];Encrypt=True'],
        ['access_token = "ya29.a0AfH6SMBx"', 'access_token = "[REDACTED:generic-token]"'],
        ['AUTH_TOKEN=abc123def456', 'AUTH_TOKEN=[REDACTED:generic-token]'],
        ['{\\"password\\": \\"hunter2xyz\\"}', '{\\"password\\": \\"[REDACTED:password]\\"}'],
        ['req.Header.Set("X-Api-Key", "0123456789abcdef")', 'req.Header.Set("X-Api-Key", "[REDACTED:generic-api-key]")'],
        ['<password>hunter2</password>', '<password>[REDACTED:password]</password>'],
        ['docker login --password hunter2 --token abc123def456', 'docker login --password [REDACTED:password] --token [REDACTED:generic-token]'],
        ['curl -u admin:Sup3rS3cret https://x', 'curl -u admin:[REDACTED:password] https://x'],
        ['PGPASSWORD=pg-Pass-1 psql -h db', 'PGPASSWORD=[REDACTED:password] psql -h db'],
        ['host=db user=app password=libpq-1 dbname=app', 'host=db user=app password=[REDACTED:password] dbname=app'],
        ['${DB_PASSWORD:-devpass1}', '${DB_PASSWORD:-[REDACTED:password]}'],
        ['my password is hunter2x.', 'my password is [REDACTED:password].'],
        ['the API key is 9f8e7d6c5b4a3f2e1d0c', 'the API key is [REDACTED:generic-api-key]'],
      ]);
    });

    it('keeps the quotes of a string cut by the end of the text', () => {
      check([['password = "hunter2', 'password = "[REDACTED:password]']]);
    });

    it('leaves code that only names secrets alone', () => {
      check(
        [
          'const password = await bcrypt.hash(input, 10);',
          'password: string;',
          'password?: string | null',
          'password = getpass.getpass()',
          'self.password = password',
          'password: z.string().min(12),',
          'if (password === undefined) return;',
          'if password == "":',
          'password_hash = "$2b$12$abcdefghijklmnopqrstuu"',
          'token = tokens[i]',
          'max_tokens = 100',
          'const token = jwt.sign(payload, secret);',
          'secret: process.env.JWT_SECRET,',
          'api_key = os.environ["API_KEY"]',
          'password: ${{ secrets.DB_PASSWORD }}',
          'POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:?set it}',
          'PASSWORD=$DB_PASSWORD',
          'DB_PASSWORD=<your-password>',
          'GITHUB_TOKEN=your_github_token_here',
          'SESSION_SECRET=***',
          'OPENAI_API_KEY=sk-...',
          'API_KEY=',
          'token_type = "bearer"',
          'label: "Password: ",',
          'the password is stored in the vault',
          'print(f"password={masked}")',
          'EVENT_TEST_PASS: "pass",',
          'bypass = true',
          'pwd = os.getcwd()',
          'PWD=/home/dana/src',
          'fn(password=None):',
          "hash('password', 'bcrypt')",
          'placeholder="Enter your password"',
          'secret: "Keep this secret"',
          "export const ACCESS_TOKEN = 'access_token';",
          "token: 'linkified',",
          "'@secretlint/secretlint-rule-1password': '^10.2.2',",
          'e.password=null;let s=n.token?.value||r;',
          '{password:r,strength:i,resolveReady:a}=e',
          'return e.idToken?.secret||null',
        ].map((code): Case => [code, code]),
      );
    });
  });

  describe('high-entropy values under other names', () => {
    it('redacts random values assigned to any name', () => {
      check([
        ['STRIPE_WEBHOOK = "Zx8Kq2LmN4pR7tVw9Yb3Cd5Fg"', 'STRIPE_WEBHOOK = "[REDACTED:high-entropy]"'],
        ['"sentry": "k9QmZ2xV7bN4pL8rT3wY6cH1"', '"sentry": "[REDACTED:high-entropy]"'],
        ['AccountName=acme;AccountKey=Zx8Kq2LmN4pR7tVw9Yb3Cd5Fg+Hj0Qa==;EndpointSuffix=core.windows.net', 'AccountName=acme;AccountKey=[REDACTED:high-entropy];EndpointSuffix=core.windows.net'],
        ['MAILGUN=9f3a7c1e5b2d8f4a6c0e9b3d7f1a5c2e', 'MAILGUN=[REDACTED:high-entropy]'],
      ]);
    });

    it('leaves identifiers, digests, ids, paths, lockfiles and images alone', () => {
      check(
        [
          'const state: RTCDtlsTransportState;',
          'type Ctx = OffscreenCanvasRenderingContext2D | ImageBitmapRenderingContext',
          'handler = "handleUserAccountSettingsChanged"',
          'FORMAT = "COMPRESSED_SRGB8_ALPHA8_ASTC_4x4_KHR"',
          'commit = "4f2a9c1e7b3d5f8a0c6e2b4d9f1a3c5e7b9d0f2a"',
          'digest: sha256:d0f363f8366fbc3f52d172c6e76bc27151c3d643b870e1062b4e8bfe65baf609',
          '"contentHash": "0c5d2f9e4b7a1c3e5f7092b4d6f8a0c2e4f6a8b0d2c4e6f8a0b2c4d6e8f0a2b4"',
          '"integrity": "sha512-JInaHOamG8pt5+Ey8kGmdcAcg3OL9reK8ltczgHTAwNhMys/6ThXHityHxVV2p3fkw/c+MAvBHFVYHFZDmjMCQ=="',
          'github.com/x/y v1.0.0 h1:4DBwDE0NGyQoBHbLQYPwSUPoCMWR5BEzIk/f1lZbAQM=',
          'conversationId: "5d8e2c1a-7f3b-4e9d-a6c0-2b1f8e4d7a93"',
          'parent: "01ARZ3NDEKTSV4RRFFQ69G5FAV"',
          '"requestId": "req_8JQ2vX7kM4nP9sT1wY6zB3cD"',
          'traceparent: 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
          'path = "src/components/UserProfileSettings"',
          "PIXEL = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=='",
          'digits = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"',
          'uses: actions/checkout@8ade135a41bc03ea155e62e844d188df1ea18608',
          'message: "Ausgabehilfsprogramme aus tslib importieren"',
        ].map((code): Case => [code, code]),
      );
    });
  });

  describe('overlaps, counts and markers', () => {
    it('redacts overlapping findings once, named after the most specific detector', () => {
      const r = redactSecrets(`GITHUB_TOKEN="${github}"`);
      assert.equal(r.text, 'GITHUB_TOKEN="[REDACTED:github-token]"');
      assert.equal(r.redactions, 1);
      assert.deepEqual(r.kinds, ['github-token']);
    });

    it('covers the union of overlapping findings, leaving no part of a secret behind', () => {
      const r = redactSecrets(`password = "${github} and more words"`);
      assert.equal(r.text, 'password = "[REDACTED:github-token]"');
    });

    it('counts redactions and lists distinct kinds in order of appearance', () => {
      const r = redactSecrets(`a=${github}\nb=${awsId}\nc=${github.replace('FAKE', 'FAKF')}\npassword: x1`);
      assert.equal(r.redactions, 4);
      assert.deepEqual(r.kinds, ['github-token', 'aws-access-key-id', 'password'] satisfies SecretKind[]);
      assert.equal(r.withheld, false);
    });

    it('returns text without secrets unchanged (same string) with no kinds', () => {
      const text = 'const total = items.reduce((sum, item) => sum + item.price, 0);';
      const r = redactSecrets(text);
      assert.equal(r.text, text);
      assert.equal(r.redactions, 0);
      assert.deepEqual(r.kinds, []);
    });

    it('never redacts markers, and still redacts a secret glued to one', () => {
      const once = redactSecrets(`password = "${github}"\n${pem}`).text;
      assert.equal(redactSecrets(once).text, once);
      check([['password = "[REDACTED:password]realsecret9"', 'password = "[REDACTED:password][REDACTED:password]"']]);
    });
  });

  describe('bounds', () => {
    it(`withholds text over ${MAX_REDACT_INPUT} characters entirely, never returning it unscanned`, () => {
      const big = 'x'.repeat(MAX_REDACT_INPUT + 1);
      const r = redactSecrets(big);
      assert.deepEqual(r, { text: '[REDACTED:oversize]', redactions: 1, kinds: ['oversize'], withheld: true });
      assert.equal(redactSecrets('x'.repeat(MAX_REDACT_INPUT)).withheld, false);
    });

    // Time is measured in bench/privacy.bench.ts (privacy.redact_worst_case_ms), not asserted here.
    it('completes on pathological 1 MB inputs (linear patterns, bounded lookarounds)', () => {
      const MB = 1 << 20;
      const fill = (unit: string) => unit.repeat(Math.ceil(MB / unit.length)).slice(0, MB);
      const inputs = [
        fill('a'),
        fill('eyJ'),
        'ghp_' + fill('a'),
        fill('password='),
        'password=' + fill('x'),
        fill('password: str '),
        fill('-----BEGIN RSA PRIVATE KEY-----'),
        '-----BEGIN PRIVATE KEY-----\n' + fill('MIIE\n'),
        fill('-----BEGIN PRIVATE KEY-----\nA: ' + ' '.repeat(300)),
        fill('a://'),
        'http://u:' + fill('p'),
        'k=' + fill('Ab1+'),
        'Authorization: Bearer ' + fill('a1'),
        fill('curl -u a:b '),
        fill('"'),
        fill('\\'),
        fill('[REDACTED:password]'),
        fill('api_key = "Zx8Kq2LmN4pR7tVw9Yb3Cd5Fg"\n'),
      ];
      for (const input of inputs) {
        const r = redactSecrets(input);
        assert.ok(r.text.length <= input.length + r.redactions * 40);
      }
    });
  });
});
