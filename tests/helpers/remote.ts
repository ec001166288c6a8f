import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify'

/**
 * A running server seen through `inject`'s shape, so the cookie-keeping `Client` (client.ts) can talk to a
 * real process over HTTP: only what Client reads is filled in (status, body, headers, cookies, json()).
 */
export function remoteApp(base: string): FastifyInstance {
  const inject = async (opts: InjectOptions): Promise<LightMyRequestResponse> => {
    const headers = Object.fromEntries(
      Object.entries(opts.headers ?? {}).filter(([, v]) => v !== undefined && v !== ''),
    ) as Record<string, string>
    const payload = opts.payload
    const body =
      payload === undefined
        ? undefined
        : typeof payload === 'string' || Buffer.isBuffer(payload)
          ? payload
          : JSON.stringify(payload)
    if (payload !== undefined && typeof payload === 'object' && !Buffer.isBuffer(payload))
      headers['content-type'] ??= 'application/json'
    const res = await fetch(`${base}${opts.url as string}`, {
      method: opts.method ?? 'GET',
      headers,
      body,
      redirect: 'manual',
    })
    const raw = Buffer.from(await res.arrayBuffer())
    const text = raw.toString('utf8')
    const cookies = res.headers.getSetCookie().map((line) => {
      const [pair = '', ...attrs] = line.split(';')
      const eq = pair.indexOf('=')
      const attr = (name: string) =>
        attrs.map((a) => a.trim()).find((a) => a.toLowerCase().startsWith(`${name.toLowerCase()}=`))
      const expires = attr('expires')?.slice('expires='.length)
      const maxAge = attr('max-age')?.slice('max-age='.length)
      return {
        name: pair.slice(0, eq).trim(),
        value: pair.slice(eq + 1).trim(),
        expires: maxAge !== undefined && Number(maxAge) <= 0 ? new Date(0) : expires ? new Date(expires) : undefined,
      }
    })
    return {
      statusCode: res.status,
      body: text,
      payload: text,
      rawPayload: raw,
      headers: Object.fromEntries(res.headers),
      cookies,
      json: () => JSON.parse(text),
    } as unknown as LightMyRequestResponse
  }
  return { inject } as unknown as FastifyInstance
}
