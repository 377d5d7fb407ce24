/**
 * What the web view shows, kept in memory from the topics: the newest reported sessions, the
 * current hotspot window and each agent's last heartbeat. Pure: no Kafka client, no network,
 * no clock of its own (the time is passed in), so it is tested without either.
 */
package dev.tcpscope.web.board;
