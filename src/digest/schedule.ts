/**
 * Digest schedules on the calendar, with croner so time zones and daylight saving time are honoured: a time that does
 * not exist on the spring-forward day runs when the clocks have jumped (02:30 → 03:00), a time that exists twice on
 * the fall-back day runs at the first one. A schedule is "due" on a local date from its scheduled instant until the
 * local day ends.
 */
import { Cron } from "croner";
import { localDate, type DigestSchedule } from "../domain/digest-schedule";

const crons = new Map<string, Cron>();

/** A paused croner job used only for date arithmetic (no timer is started without a callback). */
function cronOf(schedule: DigestSchedule): Cron {
  const key = `${schedule.time}|${schedule.timeZone}`;
  let cron = crons.get(key);
  if (cron === undefined) {
    const [h, m] = schedule.time.split(":").map(Number);
    cron = new Cron(`0 ${m} ${h} * * *`, { timezone: schedule.timeZone });
    crons.set(key, cron);
  }
  return cron;
}

/**
 * The instant the schedule fires on the local date that contains `now`, if that instant is not after `now`;
 * undefined while today's time has not come yet.
 */
export function runToday(schedule: DigestSchedule, now: Date): Date | undefined {
  // previousRuns() excludes its reference; one millisecond later includes a run exactly at `now`.
  const [previous] = cronOf(schedule).previousRuns(1, new Date(now.getTime() + 1));
  if (previous === undefined) return undefined;
  return localDate(previous, schedule.timeZone) === localDate(now, schedule.timeZone) ? previous : undefined;
}

/** The first run strictly after `now`. */
export function nextRun(schedule: DigestSchedule, now: Date): Date {
  const next = cronOf(schedule).nextRun(now);
  // A daily pattern always has a next run; the fallback only satisfies the type.
  return next ?? new Date(now.getTime() + 24 * 60 * 60 * 1000);
}
