/**
 * Integers cross the contract as `number` when safe and `bigint` otherwise.
 * Drivers that read every integer as a bigint (to lose nothing) call this.
 */
export function fromBigInt(value: bigint): number | bigint {
  return value >= -9007199254740991n && value <= 9007199254740991n ? Number(value) : value;
}
