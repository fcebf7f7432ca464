/**
 * Imported first by the hook command, before any schema is built: zod compiles a fast parser per object
 * schema on first use, which pays off over many parses but costs a short-lived hook process more than it
 * saves (it parses a handful of values, then exits). Measured: record building 10-20 ms -> 3 ms.
 */
import { z } from 'zod';

z.config({ jitless: true });
