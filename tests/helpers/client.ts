import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify'

/** A browser-like client for `inject`: keeps cookies and picks the CSRF token from the pages it gets. */
export class Client {
  cookies = new Map<string, string>()
  csrf = ''

  constructor(readonly app: FastifyInstance) {}

  private cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ')
  }

  private remember(res: LightMyRequestResponse): LightMyRequestResponse {
    for (const c of res.cookies) {
      if (c.value === '' || (c.expires && c.expires.getTime() < Date.now())) this.cookies.delete(c.name)
      else this.cookies.set(c.name, c.value)
    }
    const m = /name="_csrf" value="([^"]+)"/.exec(res.body)
    if (m?.[1]) this.csrf = m[1]
    return res
  }

  async request(opts: InjectOptions): Promise<LightMyRequestResponse> {
    const headers = { ...(opts.headers ?? {}), cookie: this.cookieHeader() }
    return this.remember(await this.app.inject({ ...opts, headers }))
  }

  get(url: string, headers: Record<string, string> = {}) {
    return this.request({ method: 'GET', url, headers })
  }

  /** Posts a form the way a browser does, with the CSRF token of the last page seen. */
  async post(url: string, form: Record<string, string>, opts: { csrf?: boolean } = {}) {
    if (opts.csrf !== false && !this.csrf) await this.get('/login')
    const body = new URLSearchParams({ ...(opts.csrf === false ? {} : { _csrf: this.csrf }), ...form }).toString()
    return this.request({
      method: 'POST',
      url,
      payload: body,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    })
  }

  /** JSON API call with the session cookie and the CSRF header. */
  async api(method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: unknown) {
    if (!this.csrf) await this.get('/login')
    return this.request({
      method,
      url,
      payload: payload as InjectOptions['payload'],
      headers: { 'x-csrf-token': this.csrf, ...(payload === undefined ? {} : { 'content-type': 'application/json' }) },
    })
  }

  async login(email: string, password: string) {
    await this.get('/login')
    const res = await this.post('/login', { email, password })
    if (res.statusCode !== 303)
      throw new Error(`login failed for ${email}: ${res.statusCode} ${res.body.slice(0, 200)}`)
    await this.get('/assessments')
    return res
  }
}

/** A multipart form with the CSRF token and one .xlsx file in the field "file", as the upload forms send it. */
export function multipartFile(csrf: string, data: Buffer, name = 'upload.xlsx') {
  const boundary = '----fh-upload-boundary'
  const payload = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\n${csrf}\r\n`),
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${name}"\r\nContent-Type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet\r\n\r\n`,
    ),
    data,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ])
  return { payload, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } }
}
