// Writes a Parquet file with DuckDB (an implementation independent of Parquet.Net) from a SQL query:
//   node write.mjs OUT.parquet "SELECT ..." [ROW_GROUP_SIZE]
import { DuckDBInstance } from '@duckdb/node-api';

const [out, query, rowGroupSize] = process.argv.slice(2);
const db = await DuckDBInstance.create(':memory:');
const connection = await db.connect();
await connection.run(`COPY (${query}) TO '${out.replaceAll("'", "''")}' (FORMAT parquet${rowGroupSize ? `, ROW_GROUP_SIZE ${Number(rowGroupSize)}` : ''})`);
