package dev.tcpscope.web.http;

/** What the page server serves; the web view implements it over its boards. */
public interface PageData {
  /**
   * Opens an event stream that starts with a snapshot of everything kept, then follows live
   * (atomically: no event is lost or repeated between the two); null when too many pages are
   * open.
   */
  EventStream connect();

  /** The pages' streams are done: the stream ends. */
  void disconnect(EventStream stream);

  /** The kept sessions as a JSON array of JSON-lines objects. */
  String sessionsJson();

  String hotspotsJson();

  String agentsJson();
}
