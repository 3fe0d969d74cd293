package org.chorus.dht.system;

import io.micrometer.core.instrument.Counter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Map;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Caps request bodies: a declared {@code Content-Length} above the cap gets 413 before anything is
 * read; a chunked body is counted as it is read and fails with a 413 {@link ApiException} when it
 * passes the cap. Stateless, thread-safe.
 */
final class RequestSizeFilter extends OncePerRequestFilter {

  private final long maxBytes;
  private final ProblemWriter problems;
  private final Counter rejected;

  RequestSizeFilter(long maxBytes, ProblemWriter problems, Counter rejected) {
    this.maxBytes = maxBytes;
    this.problems = problems;
    this.rejected = rejected;
  }

  @Override
  protected void doFilterInternal(
      HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    long length = request.getContentLengthLong();
    if (length > maxBytes) {
      rejected.increment();
      problems.write(
          request,
          response,
          413,
          "payload-too-large",
          "Payload too large",
          "request body is " + length + " bytes; the limit is " + maxBytes + " bytes",
          Map.of("field", "body", "limit", maxBytes));
      return;
    }
    chain.doFilter(length < 0 ? new Capped(request, maxBytes, rejected) : request, response);
  }

  private static final class Capped extends HttpServletRequestWrapper {
    private final long max;
    private final Counter rejected;
    private ServletInputStream stream;

    Capped(HttpServletRequest request, long max, Counter rejected) {
      super(request);
      this.max = max;
      this.rejected = rejected;
    }

    @Override
    public ServletInputStream getInputStream() throws IOException {
      if (stream == null) {
        ServletInputStream in = super.getInputStream();
        stream =
            new ServletInputStream() {
              private long count;

              @Override
              public int read() throws IOException {
                int b = in.read();
                if (b >= 0) {
                  add(1);
                }
                return b;
              }

              @Override
              public int read(byte[] buf, int off, int len) throws IOException {
                int n = in.read(buf, off, len);
                if (n > 0) {
                  add(n);
                }
                return n;
              }

              private void add(long n) {
                count += n;
                if (count > max) {
                  rejected.increment();
                  throw ApiException.tooLarge("body", count, max);
                }
              }

              @Override
              public boolean isFinished() {
                return in.isFinished();
              }

              @Override
              public boolean isReady() {
                return in.isReady();
              }

              @Override
              public void setReadListener(ReadListener listener) {
                in.setReadListener(listener);
              }
            };
      }
      return stream;
    }
  }
}
