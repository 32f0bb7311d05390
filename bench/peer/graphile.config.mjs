// PostGraphile 5 for the peer arm of the benchmark (bench/peer.sh): the Amber
// preset over schema `public` of the database in DATABASE_URL, as the role of
// that URL (postgres: no row-level security, no access rules).
//
// Three departures from the defaults, all to serve the benchmark's queries:
// - PgIndexBehaviorsPlugin is off, so unindexed columns (plan.issued_on) can
//   be ordered and filtered on, as xietong's `orderBy: ISSUED_ON` does;
// - pgOrderByNullsLast, so plans without a date sort last under ISSUED_ON_DESC,
//   as they do in xietong;
// - a pool of PEER_POOL_SIZE (default 10) connections, the size of xietong's
//   default pool (XIETONG_DB_MAX_CONNECTIONS).
import { PostGraphileAmberPreset } from "postgraphile/presets/amber";
import { makePgService } from "postgraphile/adaptors/pg";

const connectionString = process.env.DATABASE_URL;
if (!connectionString) throw new Error("DATABASE_URL is not set");

/** @type {GraphileConfig.Preset} */
const preset = {
  extends: [PostGraphileAmberPreset],
  disablePlugins: ["PgIndexBehaviorsPlugin"],
  schema: { pgOrderByNullsLast: true },
  pgServices: [
    makePgService({
      connectionString,
      schemas: ["public"],
      poolConfig: { max: Number(process.env.PEER_POOL_SIZE || 10) },
    }),
  ],
  grafserv: {
    host: "127.0.0.1",
    port: Number(process.env.PORT || 5678),
    graphiql: false,
    watch: false,
  },
  grafast: { explain: false },
};

export default preset;
