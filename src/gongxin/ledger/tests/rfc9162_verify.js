// Verifies the platform's Merkle roots and proofs with an independent RFC 9162 implementation, @transmute/rfc9162
// (npm, a devDependency; run by test_independent_verifiers.py with Node). Reads JSON on stdin:
//   {"entries": [hex of each leaf's data], "roots": [[size, hex root]],
//    "inclusion": [[index, size, [hex proof], hex root]], "consistency": [[size1, size2, [hex proof], hex1, hex2]]}
// and prints {"roots": [bool], "inclusion": [bool], "consistency": [bool]}.
//
// The library's consistency verifier skips step 2 of RFC 9162 section 2.1.4.2 (prepend the first root when the
// first size is an exact power of two: its source marks the line "hmm erata?"), so the script does that step here
// before calling it; everything else is the library's own code.
"use strict";
const RFC9162 = require("@transmute/rfc9162").default;

const bin = (hex) => Uint8Array.from(Buffer.from(hex, "hex"));
const powerOfTwo = (n) => n > 0 && (n & (n - 1)) === 0;

async function main() {
  const input = JSON.parse(require("fs").readFileSync(0, "utf8"));
  const entries = input.entries.map(bin);
  const roots = [];
  for (const [size, root] of input.roots) {
    const head = await RFC9162.treeHead(entries.slice(0, size));
    roots.push(Buffer.from(head).toString("hex") === root);
  }
  const inclusion = [];
  for (const [index, size, proof, root] of input.inclusion) {
    const leaf = await RFC9162.leaf(entries[index]);
    inclusion.push(await RFC9162.verifyInclusionProof(bin(root), leaf, {
      tree_size: size, leaf_index: index, inclusion_path: proof.map(bin),
    }));
  }
  const consistency = [];
  for (const [size1, size2, proof, root1, root2] of input.consistency) {
    const path = proof.map(bin);
    if (powerOfTwo(size1)) path.unshift(bin(root1));
    consistency.push(await RFC9162.verifyConsistencyProof(bin(root1), bin(root2), {
      tree_size_1: size1, tree_size_2: size2, consistency_path: path,
    }));
  }
  process.stdout.write(JSON.stringify({ roots, inclusion, consistency }));
}

main().catch((error) => { process.stderr.write(String(error.stack || error)); process.exit(2); });
