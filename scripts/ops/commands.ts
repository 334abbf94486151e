import { accounts } from './accounts';
import { audit } from './audit';
import { balance } from './balance';
import { credits } from './credits';
import { grantCredits } from './grant-credits';
import { Command } from './program';
import { legalHold, privacy } from './privacy';
import { notice } from './notice';
import { reconcile } from './reconcile';
import { replayUnqueued } from './replay-unqueued';
import { setPlan } from './set-plan';
import { stripeEvent } from './stripe-event';
import { suspend, unsuspend } from './suspend';
import { usage } from './usage';
import { tickets } from './tickets';

/** `npm run ops -- <command>`: operators' tools, one file per command under scripts/ops/. */
export const program = new Command('ops')
  .description('OmnAPI operations. Every command takes --stage local (npm start, the default) or dev|prod (the deployed stack).')
  .addCommand(grantCredits)
  .addCommand(credits)
  .addCommand(balance)
  .addCommand(accounts)
  .addCommand(setPlan)
  .addCommand(stripeEvent)
  .addCommand(reconcile)
  .addCommand(privacy)
  .addCommand(legalHold)
  .addCommand(suspend)
  .addCommand(unsuspend)
  .addCommand(replayUnqueued)
  .addCommand(usage)
  .addCommand(audit)
  .addCommand(tickets)
  .addCommand(notice);
