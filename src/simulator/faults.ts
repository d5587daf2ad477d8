export interface FaultSpec {
  /** Only this HTTP method; any when absent. */
  method?: string;
  /** Regular expression source, tested against the request path (no query). */
  path: string;
  /** Regular expression source, tested against the decoded query string: to hit one of several calls sharing a path. */
  query?: string;
  /**
   * Only Exchange Online admin API calls running this cmdlet (case-insensitive), since every cmdlet
   * shares one path; a fault that names a cmdlet never hits any other call.
   */
  cmdlet?: string;
  /** Status to answer; when absent the fault only delays and the route answers as usual. */
  status?: number;
  /** How many matching calls it hits before it is spent. */
  times: number;
  /** How many matching calls it lets through first, e.g. to fail the second batch of a series. */
  skip?: number;
  retryAfterSeconds?: number;
  delayMs?: number;
  /** Response body; the API's usual error body when absent. A string with a non-JSON content-type header is sent as it is. */
  body?: unknown;
  /** Extra response headers, e.g. a WWW-Authenticate claims challenge or content-type: text/html. */
  headers?: Record<string, string>;
  /** Drop the connection instead of answering (ECONNRESET for the caller). */
  reset?: boolean;
}

export interface ActiveFault extends FaultSpec {
  id: number;
  remaining: number;
  /** Matching calls still to let through before it hits. */
  skipping: number;
}

/** Faults injected on upstream routes, consumed first-added first. */
export class FaultInjector {
  private faults: (ActiveFault & { regex: RegExp; queryRegex?: RegExp })[] = [];
  private nextId = 1;

  /** Throws SyntaxError when `path` is not a valid regular expression. */
  add(spec: FaultSpec): ActiveFault {
    const fault = { ...spec, id: this.nextId++, remaining: spec.times, skipping: spec.skip ?? 0, regex: new RegExp(spec.path), ...(spec.query === undefined ? {} : { queryRegex: new RegExp(spec.query) }) };
    this.faults.push(fault);
    return describe(fault);
  }

  list(): ActiveFault[] {
    return this.faults.map(describe);
  }

  clear(): void {
    this.faults = [];
  }

  /** The fault this call triggers, if any, counting it as used. */
  take(method: string, pathname: string, cmdlet?: string, query: () => string = () => ''): ActiveFault | undefined {
    // Most calls meet no fault: the query string is spelled out only for one that names a query.
    if (!this.faults.length) return undefined;
    let spelled: string | undefined;
    const fault = this.faults.find(
      (f) => (f.method === undefined || f.method.toUpperCase() === method.toUpperCase())
        && (f.cmdlet === undefined || (cmdlet !== undefined && f.cmdlet.toLowerCase() === cmdlet.toLowerCase()))
        && f.regex.test(pathname)
        && (f.queryRegex === undefined || f.queryRegex.test((spelled ??= query()))),
    );
    if (!fault) return undefined;
    if (fault.skipping > 0) {
      fault.skipping -= 1;
      return undefined;
    }
    fault.remaining -= 1;
    if (fault.remaining <= 0) this.faults = this.faults.filter((f) => f !== fault);
    return describe(fault);
  }
}

function describe(fault: ActiveFault & { regex: RegExp; queryRegex?: RegExp }): ActiveFault {
  const { regex: _regex, queryRegex: _queryRegex, ...rest } = fault;
  return rest;
}
