import { fireEvent, render } from "@testing-library/preact";
import { describe, expect, it, vi } from "vitest";
import { VirtualList } from "../components/VirtualList";

describe("VirtualList", () => {
  it("puts only the rows in view in the document, for 20,000 rows", () => {
    const items = Array.from({ length: 20_000 }, (_, i) => `row ${i}`);
    const { container, getByText, queryByText } = render(
      <VirtualList label="rows" count={items.length} items={items} rowHeight={50} overscan={5} row={(t) => <span>{t}</span>} />,
    );
    const drawn = container.querySelectorAll(".vrow").length;
    expect(drawn).toBeGreaterThan(5);
    expect(drawn).toBeLessThan(60);
    expect(getByText("row 0")).toBeTruthy();
    expect(queryByText("row 19999")).toBeNull();
    // The space is as tall as every row.
    expect((container.querySelector(".vspace") as HTMLElement).style.height).toBe("1000000px");

    const list = container.querySelector(".vlist") as HTMLElement;
    list.scrollTop = 500_000;
    fireEvent.scroll(list);
    expect(getByText("row 10000")).toBeTruthy();
    expect(queryByText("row 0")).toBeNull();
    expect(container.querySelectorAll(".vrow").length).toBeLessThan(60);
  });

  it("asks for more when unloaded rows come into view, and draws placeholders meanwhile", () => {
    const onNeedMore = vi.fn();
    const items = Array.from({ length: 10 }, (_, i) => `row ${i}`);
    const { container } = render(
      <VirtualList label="rows" count={1000} items={items} rowHeight={50} row={(t) => <span>{t}</span>} onNeedMore={onNeedMore} />,
    );
    // 10 loaded; the rows in view (600 px / 50 px) plus the overscan are wanted.
    expect(onNeedMore).toHaveBeenCalledWith(10, 20);
    expect(container.querySelectorAll(".placeholder").length).toBeGreaterThan(0);
    // Placeholders stand only where rows are missing.
    expect(container.querySelector("#vlist-9 .placeholder")).toBeNull();
    expect(container.querySelector("#vlist-10 .placeholder")).not.toBeNull();
  });

  it("tells assistive technology which row is selected and how many there are", () => {
    const items = Array.from({ length: 100 }, (_, i) => `row ${i}`);
    const { container } = render(
      <VirtualList label="rows" id="l" count={100} items={items} rowHeight={50} activeIndex={2} row={(t) => <span>{t}</span>} />,
    );
    const list = container.querySelector("[role=listbox]") as HTMLElement;
    expect(list.getAttribute("aria-activedescendant")).toBe("l-2");
    const opt = container.querySelector("#l-2") as HTMLElement;
    expect(opt.getAttribute("aria-selected")).toBe("true");
    expect(opt.getAttribute("aria-setsize")).toBe("100");
    expect(opt.getAttribute("aria-posinset")).toBe("3");
  });
});
