import { createServer, type Server } from 'node:net'

/** A minimal SMTP server on localhost that keeps what it receives (enough for nodemailer, no TLS, no auth). */
export async function captureSmtp(): Promise<{ port: number; messages: string[]; close: () => Promise<void> }> {
  const messages: string[] = []
  const server: Server = createServer((socket) => {
    let buffer = ''
    let inData = false
    let data = ''
    const say = (line: string) => socket.write(`${line}\r\n`)
    say('220 test ESMTP')
    socket.on('data', (chunk) => {
      buffer += chunk.toString('utf8')
      for (;;) {
        if (inData) {
          const end = buffer.indexOf('\r\n.\r\n')
          if (end === -1) return
          data += buffer.slice(0, end)
          buffer = buffer.slice(end + 5)
          inData = false
          messages.push(data)
          data = ''
          say('250 queued')
          continue
        }
        const nl = buffer.indexOf('\r\n')
        if (nl === -1) return
        const line = buffer.slice(0, nl)
        buffer = buffer.slice(nl + 2)
        const verb = line.slice(0, 4).toUpperCase()
        if (verb === 'EHLO' || verb === 'HELO') say('250 test')
        else if (verb === 'DATA') {
          inData = true
          say('354 go on')
        } else if (verb === 'QUIT') {
          say('221 bye')
          socket.end()
        } else say('250 ok')
      }
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  const port = typeof address === 'object' && address ? address.port : 0
  return { port, messages, close: () => new Promise((resolve) => server.close(() => resolve())) }
}
