package org.chorus.dht.system;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.springframework.http.HttpHeaders;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Authenticates {@code Authorization: Bearer <token>} against the {@link TokenRegistry}. An unknown
 * token leaves the request unauthenticated and marks it, so that the entry point answers 401 saying
 * the token is invalid rather than missing.
 */
final class BearerTokenFilter extends OncePerRequestFilter {

  /** Request attribute set when a bearer token was presented but is not known. */
  static final String INVALID_TOKEN = BearerTokenFilter.class.getName() + ".invalid";

  private static final String PREFIX = "bearer ";

  private final TokenRegistry tokens;

  BearerTokenFilter(TokenRegistry tokens) {
    this.tokens = tokens;
  }

  @Override
  protected void doFilterInternal(
      HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    String header = request.getHeader(HttpHeaders.AUTHORIZATION);
    if (header != null && header.regionMatches(true, 0, PREFIX, 0, PREFIX.length())) {
      Optional<ChorusPrincipal> principal =
          tokens.authenticate(header.substring(PREFIX.length()).trim());
      if (principal.isPresent()) {
        List<GrantedAuthority> authorities = new ArrayList<>();
        authorities.add(new SimpleGrantedAuthority("ROLE_USER"));
        if (principal.get().admin()) {
          authorities.add(new SimpleGrantedAuthority("ROLE_ADMIN"));
        }
        var authentication =
            UsernamePasswordAuthenticationToken.authenticated(principal.get(), null, authorities);
        var context = SecurityContextHolder.createEmptyContext();
        context.setAuthentication(authentication);
        SecurityContextHolder.setContext(context);
      } else {
        request.setAttribute(INVALID_TOKEN, Boolean.TRUE);
      }
    }
    try {
      chain.doFilter(request, response);
    } finally {
      SecurityContextHolder.clearContext();
    }
  }
}
