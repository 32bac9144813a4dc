// A PDS and PLC directory from @atproto/dev-env, on loopback ports picked free, with one account
// made on it. Prints {"pds_url", "plc_url", "handle", "did", "password", "app_password"} as one JSON
// line on stdout, then serves until stdin closes or the process is signalled.
import { TestNetworkNoAppView } from '@atproto/dev-env'

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
    pds_url: network.pds.url,
    plc_url: network.plc.url,
    handle,
    did: agent.session.did,
    password,
    app_password: appPassword.password,
  }) + '\n',
)
