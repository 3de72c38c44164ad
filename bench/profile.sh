#!/usr/bin/env bash
# Where one endpoint's time goes: the built service pinned to CPU 0 under --cpu-prof, autocannon
# on CPU 1, then the heaviest functions by self time.
#   bash bench/profile.sh [/auth/me|/healthz] [seconds]
#   PROFILE_DATABASE_URL=mysql://root@127.0.0.1:3306/test PROFILE_REDIS_URL=redis://127.0.0.1:6379/14 bash bench/profile.sh
#   (the production shape: MySQL and Redis; the database is migrated, its users kept)
set -euo pipefail
cd "$(dirname "$0")/.."
path="${1:-/auth/me}"; seconds="${2:-8}"; port=3390
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
[ -f dist/src/main.js ] || npm run build >/dev/null
env PORT=$port NODE_ENV=production JWT_ACCESS_SECRET=$(head -c 48 /dev/urandom | base64) JWT_REFRESH_SECRET=$(head -c 48 /dev/urandom | base64) \
  BCRYPT_COST=4 DATABASE_URL="${PROFILE_DATABASE_URL:-sqlite:$work/p.sqlite3}" LOG_LEVEL=warn \
  ${PROFILE_REDIS_URL:+REDIS_URL=$PROFILE_REDIS_URL REDIS_KEY_PREFIX=profile-$$:} \
  taskset -c 0 node --cpu-prof --cpu-prof-dir="$work/prof" dist/src/main.js &
pid=$!
for _ in $(seq 1 50); do curl -fs "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break; sleep 0.2; done
token=$(curl -s -X POST "http://127.0.0.1:$port/auth/register" -H 'content-type: application/json' \
  -d "{\"email\":\"profile-$$-$RANDOM@example.com\",\"password\":\"correct horse battery\"}" | node -pe 'JSON.parse(require("fs").readFileSync(0)).accessToken')
taskset -c 1 npx autocannon -c 50 -d 2 -H "Authorization: Bearer $token" "http://127.0.0.1:$port$path" >/dev/null 2>&1  # warm-up
taskset -c 1 npx autocannon -c 50 -d "$seconds" -H "Authorization: Bearer $token" "http://127.0.0.1:$port$path" 2>&1 | grep -E 'requests in'
kill -INT "$pid"; wait "$pid" 2>/dev/null || true
node -e '
const fs = require("fs"); const dir = process.argv[1];
const p = JSON.parse(fs.readFileSync(dir + "/" + fs.readdirSync(dir)[0]));
const byId = new Map(p.nodes.map((n) => [n.id, n])); const self = new Map(); let busy = 0;
p.samples.forEach((id, i) => {
  const n = byId.get(id); const dt = p.timeDeltas[i] || 0; if (n.callFrame.functionName === "(idle)") return; busy += dt;
  const where = n.callFrame.url.replace(/.*node_modules\//, "").replace(/.*\/dist\//, "") + ":" + n.callFrame.lineNumber;
  const k = (n.callFrame.functionName || "(anonymous)") + "  " + where; self.set(k, (self.get(k) || 0) + dt);
});
console.log("| self % of busy CPU | function |\n|---:|---|");
[...self].sort((a, b) => b[1] - a[1]).slice(0, 25).forEach(([k, v]) => console.log("| " + (v / busy * 100).toFixed(1) + " | `" + k + "` |"));
const pkg = new Map();
for (const [k, v] of self) { const w = k.split("  ")[1]; const m = w.match(/^(@[^/]+\/[^/]+|[^/:]+)\//); const key = w.startsWith("src/") ? "service (src/)" : m ? m[1] : w.startsWith(":") || w.startsWith("node:") ? "node internals / GC" : w.split(":")[0]; pkg.set(key, (pkg.get(key) || 0) + v); }
console.log("\n| self % by package | package |\n|---:|---|");
[...pkg].sort((a, b) => b[1] - a[1]).slice(0, 15).forEach(([k, v]) => console.log("| " + (v / busy * 100).toFixed(1) + " | " + k + " |"));
' "$work/prof"
