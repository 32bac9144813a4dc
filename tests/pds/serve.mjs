// A PDS and PLC directory from @atproto/dev-env, on loopback ports picked free, with one account
// made on it. Prints {"pds_url", "plc_url", "handle", "did", "password", "app_password"} as one JSON
// line on stdout, then serves until stdin closes or the process is signalled.
import net from 'node:net'
import { TestNetworkNoAppView } from '@atproto/dev-env'

// The PDS and PLC servers listen on a bare port (every interface); keep them on loopback.
const listen = net.Server.prototype.listen
net.Server.prototype.listen = function (...args) {
  if (typeof args[0] === 'number' && typeof args[1] !== 'string') args.splice(1, 0, '127.0.0.1')
  return listen.apply(this, args)
}

const network = await TestNetworkNoAppView.create({})
const agent = network.pds.getAgent()
const handle = 'exemplar.test'
const password = 'exemplar-dev-env-password'
await agent.createAccount({ handle, email: 'exemplar@example.invalid', password })
const { data: appPassword } = await agent.com.atproto.server.createAppPassword({ name: 'exemplar' })

let closing = false
async function close() {
  if (closing) return
  closing = true
  await network.close().catch((error) => console.error(`serve: ${error}`))
  process.exit(0)
}
process.stdin.on('end', close)
process.stdin.on('close', close)
process.stdin.resume()
process.on('SIGTERM', close)
process.on('SIGINT', close)

process.stdout.write(
  JSON.stringify({
    pds_url: network.pds.url.replace('localhost', '127.0.0.1'),
    plc_url: network.plc.url.replace('localhost', '127.0.0.1'),
    handle,
    did: agent.session.did,
    password,
    app_password: appPassword.password,
  }) + '\n',
)
