package io.pipelit.pipelitd.http;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The daemon's route table as the reliability tests see it: read from {@link ApiRoutes} (package-private,
 * hence this test-side window in the same package), so that a route merged later is covered without
 * editing any test.
 */
public final class RouteTable {
  private RouteTable() {}

  private static final Pattern PARAMETER = Pattern.compile(":([A-Za-z_][A-Za-z0-9_]*)");

  /** Which list of {@link ApiRoutes} a route comes from. */
  public enum Kind {
    /** {@link ApiRoutes#ALL}: the data routes, bearer key required. */
    DATA,
    /** {@link ApiRoutes#ACCOUNTS}: users, keys, MFA, bearer key required. */
    ACCOUNTS,
    /** {@link ApiRoutes#PUBLIC}: login, no key. */
    PUBLIC
  }

  /**
   * One route.
   *
   * @param kind       the list it was declared in
   * @param method     HTTP method name
   * @param pattern    the full path pattern, {@code /api/v1/...} with {@code :name} parameters
   * @param address    the event-bus address it forwards to
   * @param parameters the path parameter names, in order
   */
  public record Route(Kind kind, String method, String pattern, String address, List<String> parameters) {
    /** True when the route takes a JSON body (POST, PUT, PATCH). */
    public boolean takesBody() {
      return method.equals("POST") || method.equals("PUT") || method.equals("PATCH");
    }

    /** The path with every {@code :name} replaced by what {@code value} gives for that name. */
    public String path(java.util.function.Function<String, String> value) {
      Matcher m = PARAMETER.matcher(pattern);
      StringBuilder out = new StringBuilder();
      while (m.find()) {
        m.appendReplacement(out, Matcher.quoteReplacement(value.apply(m.group(1))));
      }
      m.appendTail(out);
      return out.toString();
    }

    @Override
    public String toString() {
      return method + " " + pattern + " (" + address + ")";
    }
  }

  /** Every authenticated data route ({@link ApiRoutes#ALL}). */
  public static List<Route> data() {
    return convert(Kind.DATA, ApiRoutes.ALL);
  }

  /** Every route of every list: data, accounts and public. */
  public static List<Route> all() {
    List<Route> routes = new ArrayList<>(data());
    routes.addAll(convert(Kind.ACCOUNTS, ApiRoutes.ACCOUNTS));
    routes.addAll(convert(Kind.PUBLIC, ApiRoutes.PUBLIC));
    return routes;
  }

  private static List<Route> convert(Kind kind, List<ApiRoute> routes) {
    List<Route> out = new ArrayList<>();
    for (ApiRoute route : routes) {
      String pattern = HttpApiVerticle.API_PREFIX + route.path();
      List<String> parameters = new ArrayList<>();
      Matcher m = PARAMETER.matcher(pattern);
      while (m.find()) {
        parameters.add(m.group(1));
      }
      out.add(new Route(kind, route.method().name(), pattern, route.address(), List.copyOf(parameters)));
    }
    return List.copyOf(out);
  }
}
