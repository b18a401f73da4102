// A stand-in for the `xlsx` package that @sdeverywhere/compile 0.7.28 asks
// for. Compile pins xlsx to a tarball on the SheetJS CDN, which this project's
// machines cannot reach, so bench/package.json overrides that dependency with
// this folder.
//
// Compile does `import XLSX from 'xlsx'` and calls `XLSX.set_fs(fs)` once at
// load time. The npm build 0.18.5 has no `exports` map, so that import gets the
// CommonJS build, which loads `fs` by itself and has no `set_fs`; only the ESM
// build has one. We re-export the CommonJS build and add a set_fs that does
// nothing, because there is nothing to set. The benchmark never reads a
// spreadsheet; the rest of the API (utils.decode_cell, readFile, ...) is the
// real one.
'use strict'

const xlsx = require('xlsx-npm')

module.exports = Object.assign({}, xlsx, {
  set_fs: function set_fs() {}
})
