import { Hono } from 'hono';
import type { Env } from '../env';
export const dataApp = new Hono<{ Bindings: Env }>();
