// Reads a Parquet file with hyparquet (pure JavaScript, independent of Parquet.Net) and prints
// {"schema": [[name, type, repetition, children]...], "rows": [...]} as JSON (BigInt as numbers).
import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects, parquetSchema } from 'hyparquet';

const file = await asyncBufferFromFile(process.argv[2]);
const metadata = await parquetMetadataAsync(file);
const describe = (node) => ({
  name: node.element.name,
  type: node.element.type ?? null,
  repetition: node.element.repetition_type ?? null,
  logical: node.element.logical_type?.type ?? node.element.converted_type ?? null,
  children: node.children.map(describe),
});
const rows = await parquetReadObjects({ file });
process.stdout.write(JSON.stringify({
  schema: parquetSchema(metadata).children.map(describe),
  row_groups: metadata.row_groups.length,
  rows,
}, (_, v) => (typeof v === 'bigint' ? Number(v) : v)));
